package gopatchrt

// goScheduler is implemented by hubs that start and own goroutines (the sim).
type goScheduler interface {
	Go(site *Site, f func())
}

var opGo = &Op{"go", "go statement"}

// Go stands in for a go statement. The rewriter turns `go f(x, y)` into
//
//	gopatchrt.Go(gopatch.At(7), func() { f(x, y) })
//
// when f, x and y are free of side effects and not reassigned before the goroutine
// runs; otherwise it evaluates them first, on the same line, as the go statement
// would: `{ f, x, y := f, x, y; gopatchrt.Go(gopatch.At(7), func() { f(x, y) }) }`.
// Like the channel API it is a function, not a method of Call..
func Go(c Call, f func()) {
	if h := active(); h != nil {
		if gs, ok := h.(goScheduler); ok {
			c.site.locate()
			gs.Go(c.site, f)
			return
		}
		always(c, h, opGo, func() { go f() })
		return
	}
	go f()
}
