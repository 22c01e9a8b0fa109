/*
 * objects_doc.h - `emeter --list-objects` (docs/objects.md generator).
 */
#ifndef EMETER_APP_OBJECTS_DOC_H
#define EMETER_APP_OBJECTS_DOC_H

/* Print every variant's object table as Markdown on stdout. Returns 0. */
int objects_doc_print(void);

#endif /* EMETER_APP_OBJECTS_DOC_H */
