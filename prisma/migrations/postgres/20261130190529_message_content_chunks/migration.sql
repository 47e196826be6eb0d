-- CreateTable
CREATE TABLE "MessageContentChunk" (
    "hash" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "MessageContentChunk_pkey" PRIMARY KEY ("hash","seq")
);

-- AddForeignKey
ALTER TABLE "MessageContentChunk" ADD CONSTRAINT "MessageContentChunk_hash_fkey" FOREIGN KEY ("hash") REFERENCES "MessageContent"("hash") ON DELETE CASCADE ON UPDATE CASCADE;
