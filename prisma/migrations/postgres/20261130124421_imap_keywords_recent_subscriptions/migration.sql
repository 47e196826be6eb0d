-- CreateTable
CREATE TABLE "Subscription" (
    "accountId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("accountId","name")
);

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Keep who was subscribed to what (the column goes away below).
INSERT INTO "Subscription" ("accountId", "name") SELECT "accountId", "name" FROM "Mailbox" WHERE "subscribed";

-- AlterTable
ALTER TABLE "Mailbox" DROP COLUMN "subscribed",
ADD COLUMN     "keywords" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "recentUid" INTEGER NOT NULL DEFAULT 0;

-- Messages already there are not new; keywords already in use are the mailbox's.
UPDATE "Mailbox" SET "recentUid" = "uidNext" - 1;
UPDATE "Mailbox" m SET "keywords" = COALESCE((
    SELECT string_agg(DISTINCT w, ' ') FROM "Message" msg, regexp_split_to_table(msg."keywords", ' ') AS w
    WHERE msg."mailboxId" = m."id" AND w <> ''), '');
