-- Each blueprint's and project's response body, written by the app with the row (the same bytes
-- the routes' serializer produces), so list and detail reads pass text through instead of
-- parsing JSONB and serializing it again. NULL for rows written before: reads then build the body
-- from the columns.
ALTER TABLE blueprints ADD COLUMN doc text;
ALTER TABLE projects ADD COLUMN doc text;
