# Models arrive with this program's issue.
