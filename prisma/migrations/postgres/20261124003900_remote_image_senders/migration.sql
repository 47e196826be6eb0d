-- CreateTable
CREATE TABLE "RemoteImageSender" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RemoteImageSender_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RemoteImageSender_accountId_address_key" ON "RemoteImageSender"("accountId", "address");

-- AddForeignKey
ALTER TABLE "RemoteImageSender" ADD CONSTRAINT "RemoteImageSender_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
