-- AlterTable
-- Written by hand instead of the generated table copy: adding a column with a
-- constant default needs no rewrite of every stored message.
ALTER TABLE "MessageContent" ADD COLUMN "envelope" TEXT NOT NULL DEFAULT '';
