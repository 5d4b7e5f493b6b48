"""Results for people and programs: rich views, words, JSON documents, reports, calendars."""
