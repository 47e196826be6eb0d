-- AlterTable
ALTER TABLE "MessageContent" ADD COLUMN     "envelope" TEXT NOT NULL DEFAULT '';
