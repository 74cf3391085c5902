package gopatchrt

import (
	"sync/atomic"
	"unsafe"
)

// The typed atomics of sync/atomic arrived in Go 1.19; these stand in for them so
// that the runtime's go.mod can say go 1.18 and a patched module is not forced
// onto a newer Go. A struct keeps its 64-bit fields first, so that they are
// 64-bit aligned on 32-bit platforms too.

type atomicPointer[T any] struct{ p unsafe.Pointer }

func (a *atomicPointer[T]) Load() *T   { return (*T)(atomic.LoadPointer(&a.p)) }
func (a *atomicPointer[T]) Store(v *T) { atomic.StorePointer(&a.p, unsafe.Pointer(v)) }
func (a *atomicPointer[T]) Swap(v *T) (old *T) {
	return (*T)(atomic.SwapPointer(&a.p, unsafe.Pointer(v)))
}
func (a *atomicPointer[T]) CompareAndSwap(old, new *T) bool {
	return atomic.CompareAndSwapPointer(&a.p, unsafe.Pointer(old), unsafe.Pointer(new))
}

type atomicInt64 struct{ v int64 }

func (a *atomicInt64) Load() int64        { return atomic.LoadInt64(&a.v) }
func (a *atomicInt64) Store(v int64)      { atomic.StoreInt64(&a.v, v) }
func (a *atomicInt64) Add(d int64) int64  { return atomic.AddInt64(&a.v, d) }
func (a *atomicInt64) Swap(v int64) int64 { return atomic.SwapInt64(&a.v, v) }
func (a *atomicInt64) CompareAndSwap(old, new int64) bool {
	return atomic.CompareAndSwapInt64(&a.v, old, new)
}

type atomicUint64 struct{ v uint64 }

func (a *atomicUint64) Load() uint64        { return atomic.LoadUint64(&a.v) }
func (a *atomicUint64) Store(v uint64)      { atomic.StoreUint64(&a.v, v) }
func (a *atomicUint64) Add(d uint64) uint64 { return atomic.AddUint64(&a.v, d) }

type atomicInt32 struct{ v int32 }

func (a *atomicInt32) Load() int32       { return atomic.LoadInt32(&a.v) }
func (a *atomicInt32) Store(v int32)     { atomic.StoreInt32(&a.v, v) }
func (a *atomicInt32) Add(d int32) int32 { return atomic.AddInt32(&a.v, d) }

type atomicBool struct{ v int32 }

func (a *atomicBool) Load() bool { return atomic.LoadInt32(&a.v) != 0 }
func (a *atomicBool) Store(b bool) {
	var v int32
	if b {
		v = 1
	}
	atomic.StoreInt32(&a.v, v)
}
