-- Full-text search over the decoded text of messages (IMAP SEARCH BODY/TEXT,
-- the web app's search), written by hand: Prisma cannot describe a tsvector
-- column or a GIN index. One row per stored content (by hash), so copies
-- share it. The terms are each word's suffixes (see
-- mail-daemon/store/message-text.ts), so a prefix query finds substrings.
CREATE TABLE "MessageText" (
    "hash" TEXT NOT NULL,
    "header" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    -- false: too many terms to index; every search confirms on this row's text.
    "complete" BOOLEAN NOT NULL,
    "terms" TSVECTOR NOT NULL,

    CONSTRAINT "MessageText_pkey" PRIMARY KEY ("hash"),
    CONSTRAINT "MessageText_hash_fkey" FOREIGN KEY ("hash") REFERENCES "MessageContent"("hash") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX "MessageText_terms_idx" ON "MessageText" USING GIN ("terms");
CREATE INDEX "MessageText_incomplete_idx" ON "MessageText"("hash") WHERE NOT "complete";
