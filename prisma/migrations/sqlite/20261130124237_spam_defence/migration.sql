-- CreateTable
CREATE TABLE "SpamToken" (
    "accountId" INTEGER NOT NULL,
    "token" TEXT NOT NULL,
    "ham" INTEGER NOT NULL DEFAULT 0,
    "spam" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("accountId", "token"),
    CONSTRAINT "SpamToken_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SpamTrained" (
    "accountId" INTEGER NOT NULL,
    "contentHash" TEXT NOT NULL,
    "spam" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("accountId", "contentHash"),
    CONSTRAINT "SpamTrained_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Correspondent" (
    "accountId" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "lastSentAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("accountId", "address"),
    CONSTRAINT "Correspondent_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "GreylistEntry" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "firstSeen" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "passedAt" DATETIME
);

-- CreateTable
CREATE TABLE "SendLimit" (
    "accountId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "messagesPerHour" INTEGER,
    "recipientsPerDay" INTEGER,
    "hitAt" DATETIME,
    "hitReason" TEXT NOT NULL DEFAULT '',
    "liftedAt" DATETIME,
    CONSTRAINT "SendLimit_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OutboundSend" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accountId" INTEGER NOT NULL,
    "recipients" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OutboundSend_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AccountSettings" (
    "accountId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "signature" TEXT NOT NULL DEFAULT '',
    "forwardTo" TEXT,
    "forwardKeepCopy" BOOLEAN NOT NULL DEFAULT true,
    "vacationEnabled" BOOLEAN NOT NULL DEFAULT false,
    "vacationSubject" TEXT NOT NULL DEFAULT '',
    "vacationBody" TEXT NOT NULL DEFAULT '',
    "vacationStart" DATETIME,
    "vacationEnd" DATETIME,
    "spamFilter" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AccountSettings_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AccountSettings" ("accountId", "forwardKeepCopy", "forwardTo", "signature", "updatedAt", "vacationBody", "vacationEnabled", "vacationEnd", "vacationStart", "vacationSubject") SELECT "accountId", "forwardKeepCopy", "forwardTo", "signature", "updatedAt", "vacationBody", "vacationEnabled", "vacationEnd", "vacationStart", "vacationSubject" FROM "AccountSettings";
DROP TABLE "AccountSettings";
ALTER TABLE "new_AccountSettings" RENAME TO "AccountSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "GreylistEntry_firstSeen_idx" ON "GreylistEntry"("firstSeen");

-- CreateIndex
CREATE INDEX "OutboundSend_accountId_createdAt_idx" ON "OutboundSend"("accountId", "createdAt");
