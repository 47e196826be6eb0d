-- Full-text search over the decoded text of messages (IMAP SEARCH BODY/TEXT,
-- the web app's search), written by hand: Prisma cannot describe an FTS5
-- table. One row per stored content (by hash), so copies share it. The terms
-- (each word's suffixes, see mail-daemon/store/message-text.ts) live only in
-- the contentless FTS5 index, under the MessageText row's id.
CREATE TABLE "MessageText" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "hash" TEXT NOT NULL,
    "header" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    -- 0: too many terms to index; every search confirms on this row's text.
    "complete" BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX "MessageText_hash_key" ON "MessageText"("hash");
CREATE INDEX "MessageText_incomplete_idx" ON "MessageText"("hash") WHERE NOT "complete";

CREATE VIRTUAL TABLE "MessageTextIndex" USING fts5(
    "terms", content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
);

CREATE TRIGGER "MessageText_unindex" AFTER DELETE ON "MessageText" BEGIN
    DELETE FROM "MessageTextIndex" WHERE rowid = old."id";
END;

-- The text goes with its content, whoever deletes it.
CREATE TRIGGER "MessageContent_drop_text" AFTER DELETE ON "MessageContent" BEGIN
    DELETE FROM "MessageText" WHERE "hash" = old."hash";
END;
