-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_QueueMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "contentHash" TEXT NOT NULL,
    "mailFrom" TEXT NOT NULL,
    "accountId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "delayNotified" BOOLEAN NOT NULL DEFAULT false,
    "lastError" TEXT,
    "receivedId" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "QueueMessage_contentHash_fkey" FOREIGN KEY ("contentHash") REFERENCES "MessageContent" ("hash") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_QueueMessage" ("accountId", "attempts", "contentHash", "createdAt", "delayNotified", "id", "lastError", "leaseOwner", "leaseUntil", "mailFrom", "nextAttemptAt") SELECT "accountId", "attempts", "contentHash", "createdAt", "delayNotified", "id", "lastError", "leaseOwner", "leaseUntil", "mailFrom", "nextAttemptAt" FROM "QueueMessage";
DROP TABLE "QueueMessage";
ALTER TABLE "new_QueueMessage" RENAME TO "QueueMessage";
CREATE INDEX "QueueMessage_nextAttemptAt_idx" ON "QueueMessage"("nextAttemptAt");
CREATE TABLE "new_DeliveryLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "mailFrom" TEXT NOT NULL,
    "rcptTo" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '',
    "messageId" TEXT NOT NULL DEFAULT '',
    "queueId" INTEGER,
    "receivedId" TEXT NOT NULL DEFAULT ''
);
INSERT INTO "new_DeliveryLog" ("createdAt", "detail", "id", "kind", "mailFrom", "messageId", "queueId", "rcptTo", "status") SELECT "createdAt", "detail", "id", "kind", "mailFrom", "messageId", "queueId", "rcptTo", "status" FROM "DeliveryLog";
DROP TABLE "DeliveryLog";
ALTER TABLE "new_DeliveryLog" RENAME TO "DeliveryLog";
CREATE INDEX "DeliveryLog_createdAt_idx" ON "DeliveryLog"("createdAt");
CREATE INDEX "DeliveryLog_rcptTo_idx" ON "DeliveryLog"("rcptTo");
CREATE INDEX "DeliveryLog_receivedId_idx" ON "DeliveryLog"("receivedId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
