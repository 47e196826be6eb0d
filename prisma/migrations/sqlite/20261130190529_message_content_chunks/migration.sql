-- CreateTable
CREATE TABLE "MessageContentChunk" (
    "hash" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "bytes" BLOB NOT NULL,

    PRIMARY KEY ("hash", "seq"),
    CONSTRAINT "MessageContentChunk_hash_fkey" FOREIGN KEY ("hash") REFERENCES "MessageContent" ("hash") ON DELETE CASCADE ON UPDATE CASCADE
);
