-- Message bytes are stored as they are, not compressed (pglz), as on SQLite
-- and in Dovecot's Maildir: every RETR, FETCH of a body and full-text index
-- read decompresses them otherwise, which took about half of the server's
-- time for a read of contents (10k messages of about 5 kB: 80 ms compressed,
-- 30 ms stored as they are). Past 2 kB a value still goes out of line
-- (TOAST); contents stored before this stay compressed until rewritten.
ALTER TABLE "MessageContent" ALTER COLUMN "raw" SET STORAGE EXTERNAL;
ALTER TABLE "MessageContentChunk" ALTER COLUMN "bytes" SET STORAGE EXTERNAL;
