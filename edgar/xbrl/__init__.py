"""XBRL: facts from instance documents and inline XBRL, the filer's linkbases, standardized statements."""
