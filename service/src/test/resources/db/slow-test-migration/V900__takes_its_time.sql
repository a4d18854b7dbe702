-- Test only (MigrationIT): a migration that takes longer than any request may, as an index build on
-- a million rows does.
SELECT pg_sleep(1.5);
