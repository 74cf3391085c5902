package gopatchrt

// ObservedCalls exposes Observer.calls to the external tests.
func ObservedCalls(o *Observer) int64 { return o.calls() }
