-- CreateIndex
CREATE INDEX "QueueMessage_contentHash_idx" ON "QueueMessage"("contentHash");

-- CreateIndex
CREATE INDEX "QueueMessage_leaseUntil_idx" ON "QueueMessage"("leaseUntil");
