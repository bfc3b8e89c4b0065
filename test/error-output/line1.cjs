throw new Error('thrown on line 1');
function unused(x) { return x }
