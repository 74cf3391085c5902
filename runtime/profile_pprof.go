package gopatchrt

import (
	"compress/gzip"
	"io"
	"os"
)

// WritePprof writes the observer's record as a gzipped pprof profile (the
// profile.proto format that `go tool pprof` reads). Its sample types are calls
// (count) and blocked (nanoseconds, the default). Each call site is one sample
// whose single location is the site: the function that makes the call, its file
// and line, in the one mapping, the executable. String labels category and call
// name the operation; numeric labels min, max, p50, p90, p99 (nanoseconds) and
// errors (count) carry the rest of the site's record.
func (o *Observer) WritePprof(w io.Writer) error { return o.snapshot().writePprof(w) }

// Field numbers of profile.proto (github.com/google/pprof/proto/profile.proto).
const (
	profSampleType        = 1
	profSample            = 2
	profMapping           = 3
	profLocation          = 4
	profFunction          = 5
	profStringTable       = 6
	profTimeNanos         = 9
	profDurationNanos     = 10
	profPeriodType        = 11
	profPeriod            = 12
	profDefaultSampleType = 14

	valueTypeType = 1
	valueTypeUnit = 2

	sampleLocationID = 1
	sampleValue      = 2
	sampleLabel      = 3

	labelKey     = 1
	labelStr     = 2
	labelNum     = 3
	labelNumUnit = 4

	mappingID             = 1
	mappingMemoryLimit    = 3
	mappingFilename       = 5
	mappingHasFunctions   = 7
	mappingHasFilenames   = 8
	mappingHasLineNumbers = 9

	locationID        = 1
	locationMappingID = 2
	locationAddress   = 3
	locationLine      = 4

	lineFunctionID = 1
	lineLine       = 2

	functionID         = 1
	functionName       = 2
	functionSystemName = 3
	functionFilename   = 4
)

func (p profileSnapshot) writePprof(w io.Writer) error {
	var b pbuf
	strs := newStringTable()

	valueType := func(field int, typ, unit string) {
		b.message(field, func(b *pbuf) {
			b.int64(valueTypeType, strs.index(typ))
			b.int64(valueTypeUnit, strs.index(unit))
		})
	}
	valueType(profSampleType, "calls", "count")
	valueType(profSampleType, "blocked", "nanoseconds")

	// One mapping, the executable, whose locations all come with functions, files
	// and lines, so that pprof neither looks for the binary nor symbolizes.
	exe, _ := os.Executable()
	b.message(profMapping, func(b *pbuf) {
		b.uint64(mappingID, 1)
		b.uint64(mappingMemoryLimit, 1<<64-1)
		b.int64(mappingFilename, strs.index(exe))
		b.uint64(mappingHasFunctions, 1)
		b.uint64(mappingHasFilenames, 1)
		b.uint64(mappingHasLineNumbers, 1)
	})

	type funcKey struct{ name, file string }
	funcs := map[funcKey]uint64{}
	var funcOrder []funcKey
	for i, s := range p.sites {
		file, line, fn := s.Site.Position()
		if fn == "" {
			fn = s.Site.Pkg.Path + ".(unknown)"
		}
		k := funcKey{fn, file}
		fid, ok := funcs[k]
		if !ok {
			fid = uint64(len(funcOrder) + 1)
			funcs[k] = fid
			funcOrder = append(funcOrder, k)
		}
		loc := uint64(i + 1)

		b.message(profSample, func(b *pbuf) {
			b.packedUint64(sampleLocationID, loc)
			b.packedInt64(sampleValue, s.Count, int64(s.Total))
			strLabel := func(key, val string) {
				b.message(sampleLabel, func(b *pbuf) {
					b.int64(labelKey, strs.index(key))
					b.int64(labelStr, strs.index(val))
				})
			}
			numLabel := func(key string, val int64, unit string) {
				b.message(sampleLabel, func(b *pbuf) {
					b.int64(labelKey, strs.index(key))
					b.int64(labelNum, val)
					b.int64(labelNumUnit, strs.index(unit))
				})
			}
			strLabel("category", s.Op.Category)
			strLabel("call", s.Op.Call)
			numLabel("min", int64(s.Min), "nanoseconds")
			numLabel("max", int64(s.Max), "nanoseconds")
			numLabel("p50", int64(s.P50), "nanoseconds")
			numLabel("p90", int64(s.P90), "nanoseconds")
			numLabel("p99", int64(s.P99), "nanoseconds")
			numLabel("errors", s.Errors, "count")
		})
		b.message(profLocation, func(b *pbuf) {
			b.uint64(locationID, loc)
			b.uint64(locationMappingID, 1)
			b.uint64(locationAddress, uint64(s.Site.PC()))
			b.message(locationLine, func(b *pbuf) {
				b.uint64(lineFunctionID, fid)
				b.int64(lineLine, int64(line))
			})
		})
	}
	for i, k := range funcOrder {
		b.message(profFunction, func(b *pbuf) {
			b.uint64(functionID, uint64(i+1))
			b.int64(functionName, strs.index(k.name))
			b.int64(functionSystemName, strs.index(k.name))
			b.int64(functionFilename, strs.index(k.file))
		})
	}
	b.int64(profTimeNanos, p.start.UnixNano())
	b.int64(profDurationNanos, int64(p.duration))
	valueType(profPeriodType, "blocked", "nanoseconds")
	b.int64(profPeriod, 1)
	b.int64(profDefaultSampleType, strs.index("blocked"))
	// The string table comes last: every string is known by now.
	for _, s := range strs.list {
		b.bytes(profStringTable, []byte(s))
	}

	zw := gzip.NewWriter(w)
	if _, err := zw.Write(b.b); err != nil {
		return err
	}
	return zw.Close()
}

// stringTable numbers the strings of a profile; string 0 is "".
type stringTable struct {
	list []string
	idx  map[string]int64
}

func newStringTable() *stringTable {
	return &stringTable{list: []string{""}, idx: map[string]int64{"": 0}}
}

func (t *stringTable) index(s string) int64 {
	if i, ok := t.idx[s]; ok {
		return i
	}
	i := int64(len(t.list))
	t.list = append(t.list, s)
	t.idx[s] = i
	return i
}

// pbuf is a protocol buffer encoder for the few wire types profile.proto uses.
type pbuf struct{ b []byte }

const (
	wireVarint = 0
	wireBytes  = 2
)

func (p *pbuf) varint(x uint64) {
	for x >= 0x80 {
		p.b = append(p.b, byte(x)|0x80)
		x >>= 7
	}
	p.b = append(p.b, byte(x))
}

func (p *pbuf) key(field, wire int) { p.varint(uint64(field)<<3 | uint64(wire)) }

// uint64 writes a scalar field, omitting the default zero as proto3 does.
func (p *pbuf) uint64(field int, x uint64) {
	if x != 0 {
		p.key(field, wireVarint)
		p.varint(x)
	}
}

func (p *pbuf) int64(field int, x int64) { p.uint64(field, uint64(x)) }

func (p *pbuf) bytes(field int, data []byte) {
	p.key(field, wireBytes)
	p.varint(uint64(len(data)))
	p.b = append(p.b, data...)
}

func (p *pbuf) packedUint64(field int, xs ...uint64) {
	var inner pbuf
	for _, x := range xs {
		inner.varint(x)
	}
	p.bytes(field, inner.b)
}

func (p *pbuf) packedInt64(field int, xs ...int64) {
	var inner pbuf
	for _, x := range xs {
		inner.varint(uint64(x))
	}
	p.bytes(field, inner.b)
}

// message writes a nested message that body encodes.
func (p *pbuf) message(field int, body func(*pbuf)) {
	var inner pbuf
	body(&inner)
	p.bytes(field, inner.b)
}
