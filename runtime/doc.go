// Package gopatchrt is the runtime shim that code patched by gopatch calls.
//
// gopatch rewrites each blocking call it patches, such as time.Sleep(d) or
// mu.Lock(), into a call of a method of Call, such as gopatch.At(3).Sleep(d) or
// gopatch.At(4).MutexLock(&mu), where gopatch is a package-level *Package that
// gopatch declares in a generated file of the patched package and 3 and 4 number
// the call sites. Every method of Call has the semantics of the call it replaces.
//
// What a patched call does is decided by the hub in force. With no hub (the
// passthrough default) a method makes one atomic load and then the original call,
// allocating nothing. Another hub is chosen by the GOPATCH_HUB environment
// variable at process start or by Use; Current says which hub is in force, and
// Patched which categories a program has patched, like gevent's get_original and
// is_module_patched.
//
// This module has no dependencies beyond the standard library, so that a patched
// module gains exactly one requirement.
package gopatchrt
