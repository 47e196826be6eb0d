-- DropIndex
DROP INDEX "DeliveryLog_createdAt_idx";

-- DropIndex
DROP INDEX "DeliveryLog_rcptTo_idx";

-- DropIndex
DROP INDEX "DeliveryLog_receivedId_idx";

-- DropIndex
DROP INDEX "ChangeEvent_createdAt_idx";
