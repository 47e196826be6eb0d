-- DropIndex
DROP INDEX "Message_mailboxId_modseq_idx";

-- CreateTable
CREATE TABLE "FlagChange" (
    "mailboxId" INTEGER NOT NULL,
    "modseq" INTEGER NOT NULL,
    "firstUid" INTEGER NOT NULL,
    "lastUid" INTEGER NOT NULL,

    PRIMARY KEY ("mailboxId", "modseq", "firstUid"),
    CONSTRAINT "FlagChange_mailboxId_fkey" FOREIGN KEY ("mailboxId") REFERENCES "Mailbox" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Written by hand: the changes made before this migration are not in
-- FlagChange, so each mailbox starts with the range of every UID at its
-- modseq (store/flag-change-log.ts): a session that caught up before then
-- reads its whole mailbox once.
INSERT INTO "FlagChange" ("mailboxId", "modseq", "firstUid", "lastUid")
SELECT "id", "highestModseq", 1, 2147483647 FROM "Mailbox";
