-- CreateIndex
CREATE INDEX "Message_mailboxId_seen_deleted_idx" ON "Message"("mailboxId", "seen", "deleted");
