function first(a) { second(); return a.b.c; }
function second() {}
first({});
