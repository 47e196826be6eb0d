-- CreateTable
CREATE TABLE "MessageSearchFields" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "fields" TEXT NOT NULL,
    CONSTRAINT "MessageSearchFields_hash_fkey" FOREIGN KEY ("hash") REFERENCES "MessageContent" ("hash") ON DELETE CASCADE ON UPDATE CASCADE
);
