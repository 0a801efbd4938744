-- The name index (see 0011) as a contentless full-text index instead of a table of rows.
-- One document per person (its rowid is the person's id) whose terms are the person's keys,
-- each written as the nation in lower case and the key's bytes in hexadecimal (so every key,
-- whatever its script, is one term of the ASCII tokenizer, and a word-prefix search is a prefix
-- query). SQLite keeps each term's people as one compressed list: a row per key and person
-- made a large import write ~8 B-tree cells per person in random order, most of its time.
-- `contentless_delete` lets a person's document be deleted by rowid (an update, a purge);
-- `detail=none` keeps no positions, which the index never reads.
-- The index is rebuilt from the people's details on the next opening (`name_index` emptied).

DROP INDEX person_keys_by_person;
DROP TABLE person_keys;

CREATE VIRTUAL TABLE person_terms USING fts5 (
    terms,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'ascii'
);

DELETE FROM name_index;
