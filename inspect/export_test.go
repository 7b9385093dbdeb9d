package inspect

// UseTemplates lets the external tests turn the template fast path off
// to compare Diagnose with and without it.
var UseTemplates = &useTemplates
