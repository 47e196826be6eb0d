-- CreateTable
CREATE TABLE "Subscription" (
    "accountId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,

    PRIMARY KEY ("accountId", "name"),
    CONSTRAINT "Subscription_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Keep who was subscribed to what (the column goes away below).
INSERT INTO "Subscription" ("accountId", "name") SELECT "accountId", "name" FROM "Mailbox" WHERE "subscribed";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Mailbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accountId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "specialUse" TEXT,
    "uidValidity" INTEGER NOT NULL,
    "uidNext" INTEGER NOT NULL DEFAULT 1,
    "highestModseq" INTEGER NOT NULL DEFAULT 1,
    "keywords" TEXT NOT NULL DEFAULT '',
    "recentUid" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Mailbox_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Mailbox" ("accountId", "createdAt", "highestModseq", "id", "name", "specialUse", "uidNext", "uidValidity") SELECT "accountId", "createdAt", "highestModseq", "id", "name", "specialUse", "uidNext", "uidValidity" FROM "Mailbox";
DROP TABLE "Mailbox";
ALTER TABLE "new_Mailbox" RENAME TO "Mailbox";
CREATE UNIQUE INDEX "Mailbox_accountId_name_key" ON "Mailbox"("accountId", "name");
-- Messages already there are not new; keywords already in use are the mailbox's.
UPDATE "Mailbox" SET "recentUid" = "uidNext" - 1;
WITH RECURSIVE "split"("mailboxId", "word", "rest") AS (
    SELECT "mailboxId", '', "keywords" || ' ' FROM "Message" WHERE "keywords" <> ''
    UNION ALL
    SELECT "mailboxId", substr("rest", 1, instr("rest", ' ') - 1), substr("rest", instr("rest", ' ') + 1) FROM "split" WHERE "rest" <> ''
)
UPDATE "Mailbox" SET "keywords" = COALESCE((SELECT group_concat("word", ' ') FROM (SELECT DISTINCT "word" FROM "split" WHERE "split"."mailboxId" = "Mailbox"."id" AND "word" <> '')), '');
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
