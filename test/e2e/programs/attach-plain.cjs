// Plain statements only: no loop and no function of its own, so instrumenting it inserts nothing
// and it never imports trapdoor's runtime itself. A timer with a function reference keeps it
// alive, idle in its event loop.
console.log('plain', typeof setTimeout(console.log, 1e9, 'x'));
