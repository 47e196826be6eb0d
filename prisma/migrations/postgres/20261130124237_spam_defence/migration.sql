-- AlterTable
ALTER TABLE "AccountSettings" ADD COLUMN     "spamFilter" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "SpamToken" (
    "accountId" INTEGER NOT NULL,
    "token" TEXT NOT NULL,
    "ham" INTEGER NOT NULL DEFAULT 0,
    "spam" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SpamToken_pkey" PRIMARY KEY ("accountId","token")
);

-- CreateTable
CREATE TABLE "SpamTrained" (
    "accountId" INTEGER NOT NULL,
    "contentHash" TEXT NOT NULL,
    "spam" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SpamTrained_pkey" PRIMARY KEY ("accountId","contentHash")
);

-- CreateTable
CREATE TABLE "Correspondent" (
    "accountId" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "lastSentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Correspondent_pkey" PRIMARY KEY ("accountId","address")
);

-- CreateTable
CREATE TABLE "GreylistEntry" (
    "key" TEXT NOT NULL,
    "firstSeen" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "passedAt" TIMESTAMP(3),

    CONSTRAINT "GreylistEntry_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "SendLimit" (
    "accountId" INTEGER NOT NULL,
    "messagesPerHour" INTEGER,
    "recipientsPerDay" INTEGER,
    "hitAt" TIMESTAMP(3),
    "hitReason" TEXT NOT NULL DEFAULT '',
    "liftedAt" TIMESTAMP(3),

    CONSTRAINT "SendLimit_pkey" PRIMARY KEY ("accountId")
);

-- CreateTable
CREATE TABLE "OutboundSend" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "recipients" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboundSend_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "GreylistEntry_firstSeen_idx" ON "GreylistEntry"("firstSeen");

-- CreateIndex
CREATE INDEX "OutboundSend_accountId_createdAt_idx" ON "OutboundSend"("accountId", "createdAt");

-- AddForeignKey
ALTER TABLE "SpamToken" ADD CONSTRAINT "SpamToken_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SpamTrained" ADD CONSTRAINT "SpamTrained_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Correspondent" ADD CONSTRAINT "Correspondent_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SendLimit" ADD CONSTRAINT "SendLimit_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboundSend" ADD CONSTRAINT "OutboundSend_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
