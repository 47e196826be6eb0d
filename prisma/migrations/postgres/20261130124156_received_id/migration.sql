-- AlterTable
ALTER TABLE "QueueMessage" ADD COLUMN     "receivedId" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "DeliveryLog" ADD COLUMN     "receivedId" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "DeliveryLog_receivedId_idx" ON "DeliveryLog"("receivedId");
