-- CreateTable
CREATE TABLE "MessageSearchFields" (
    "hash" TEXT NOT NULL,
    "fields" TEXT NOT NULL,

    CONSTRAINT "MessageSearchFields_pkey" PRIMARY KEY ("hash")
);

-- AddForeignKey
ALTER TABLE "MessageSearchFields" ADD CONSTRAINT "MessageSearchFields_hash_fkey" FOREIGN KEY ("hash") REFERENCES "MessageContent"("hash") ON DELETE CASCADE ON UPDATE CASCADE;
