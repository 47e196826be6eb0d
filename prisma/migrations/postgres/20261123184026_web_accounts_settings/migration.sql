-- CreateTable
CREATE TABLE "DomainAdmin" (
    "domainId" INTEGER NOT NULL,
    "accountId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DomainAdmin_pkey" PRIMARY KEY ("domainId","accountId")
);

-- CreateTable
CREATE TABLE "AccountSettings" (
    "accountId" INTEGER NOT NULL,
    "signature" TEXT NOT NULL DEFAULT '',
    "forwardTo" TEXT,
    "forwardKeepCopy" BOOLEAN NOT NULL DEFAULT true,
    "vacationEnabled" BOOLEAN NOT NULL DEFAULT false,
    "vacationSubject" TEXT NOT NULL DEFAULT '',
    "vacationBody" TEXT NOT NULL DEFAULT '',
    "vacationStart" TIMESTAMP(3),
    "vacationEnd" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccountSettings_pkey" PRIMARY KEY ("accountId")
);

-- CreateTable
CREATE TABLE "TwoFactor" (
    "accountId" INTEGER NOT NULL,
    "secret" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "lastUsedStep" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TwoFactor_pkey" PRIMARY KEY ("accountId")
);

-- CreateTable
CREATE TABLE "AppPassword" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "AppPassword_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MailFilter" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "field" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "folder" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MailFilter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VacationReply" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "sender" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VacationReply_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DomainAdmin_accountId_idx" ON "DomainAdmin"("accountId");

-- CreateIndex
CREATE UNIQUE INDEX "AppPassword_hash_key" ON "AppPassword"("hash");

-- CreateIndex
CREATE INDEX "AppPassword_accountId_idx" ON "AppPassword"("accountId");

-- CreateIndex
CREATE INDEX "MailFilter_accountId_position_idx" ON "MailFilter"("accountId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "VacationReply_accountId_sender_key" ON "VacationReply"("accountId", "sender");

-- AddForeignKey
ALTER TABLE "DomainAdmin" ADD CONSTRAINT "DomainAdmin_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "Domain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DomainAdmin" ADD CONSTRAINT "DomainAdmin_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountSettings" ADD CONSTRAINT "AccountSettings_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TwoFactor" ADD CONSTRAINT "TwoFactor_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppPassword" ADD CONSTRAINT "AppPassword_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailFilter" ADD CONSTRAINT "MailFilter_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VacationReply" ADD CONSTRAINT "VacationReply_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
