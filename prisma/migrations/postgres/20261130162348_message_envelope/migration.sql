-- CreateTable
CREATE TABLE "MessageEnvelope" (
    "hash" TEXT NOT NULL,
    "envelope" TEXT NOT NULL,

    CONSTRAINT "MessageEnvelope_pkey" PRIMARY KEY ("hash")
);

-- AddForeignKey
ALTER TABLE "MessageEnvelope" ADD CONSTRAINT "MessageEnvelope_hash_fkey" FOREIGN KEY ("hash") REFERENCES "MessageContent"("hash") ON DELETE CASCADE ON UPDATE CASCADE;

-- Envelopes worked out before move over; MessageContent."envelope" is no longer read.
INSERT INTO "MessageEnvelope" ("hash", "envelope") SELECT "hash", "envelope" FROM "MessageContent" WHERE "envelope" <> '';
