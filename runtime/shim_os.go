package gopatchrt

import "os"

var (
	opReadFile        = &Op{"os", "os.ReadFile"}
	opWriteFile       = &Op{"os", "os.WriteFile"}
	opOpen            = &Op{"os", "os.Open"}
	opCreate          = &Op{"os", "os.Create"}
	opOpenFile        = &Op{"os", "os.OpenFile"}
	opReadDir         = &Op{"os", "os.ReadDir"}
	opFileRead        = &Op{"os", "(*os.File).Read"}
	opFileWrite       = &Op{"os", "(*os.File).Write"}
	opFileWriteString = &Op{"os", "(*os.File).WriteString"}
	opFileReadAt      = &Op{"os", "(*os.File).ReadAt"}
	opFileWriteAt     = &Op{"os", "(*os.File).WriteAt"}
	opFileSync        = &Op{"os", "(*os.File).Sync"}
)

// ReadFile stands in for os.ReadFile.
func (c Call) ReadFile(name string) ([]byte, error) {
	if h := active(); h != nil {
		return run1(c, h, opReadFile, func() ([]byte, error) { return os.ReadFile(name) })
	}
	return os.ReadFile(name)
}

// WriteFile stands in for os.WriteFile.
func (c Call) WriteFile(name string, data []byte, perm os.FileMode) error {
	if h := active(); h != nil {
		return run(c, h, opWriteFile, func() error { return os.WriteFile(name, data, perm) })
	}
	return os.WriteFile(name, data, perm)
}

// Open stands in for os.Open.
func (c Call) Open(name string) (*os.File, error) {
	if h := active(); h != nil {
		return run1(c, h, opOpen, func() (*os.File, error) { return os.Open(name) })
	}
	return os.Open(name)
}

// Create stands in for os.Create.
func (c Call) Create(name string) (*os.File, error) {
	if h := active(); h != nil {
		return run1(c, h, opCreate, func() (*os.File, error) { return os.Create(name) })
	}
	return os.Create(name)
}

// OpenFile stands in for os.OpenFile.
func (c Call) OpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	if h := active(); h != nil {
		return run1(c, h, opOpenFile, func() (*os.File, error) { return os.OpenFile(name, flag, perm) })
	}
	return os.OpenFile(name, flag, perm)
}

// ReadDir stands in for os.ReadDir.
func (c Call) ReadDir(name string) ([]os.DirEntry, error) {
	if h := active(); h != nil {
		return run1(c, h, opReadDir, func() ([]os.DirEntry, error) { return os.ReadDir(name) })
	}
	return os.ReadDir(name)
}

// FileRead stands in for (*os.File).Read.
func (c Call) FileRead(f *os.File, b []byte) (int, error) {
	if h := active(); h != nil {
		return run1(c, h, opFileRead, func() (int, error) { return f.Read(b) })
	}
	return f.Read(b)
}

// FileWrite stands in for (*os.File).Write.
func (c Call) FileWrite(f *os.File, b []byte) (int, error) {
	if h := active(); h != nil {
		return run1(c, h, opFileWrite, func() (int, error) { return f.Write(b) })
	}
	return f.Write(b)
}

// FileWriteString stands in for (*os.File).WriteString.
func (c Call) FileWriteString(f *os.File, s string) (int, error) {
	if h := active(); h != nil {
		return run1(c, h, opFileWriteString, func() (int, error) { return f.WriteString(s) })
	}
	return f.WriteString(s)
}

// FileReadAt stands in for (*os.File).ReadAt.
func (c Call) FileReadAt(f *os.File, b []byte, off int64) (int, error) {
	if h := active(); h != nil {
		return run1(c, h, opFileReadAt, func() (int, error) { return f.ReadAt(b, off) })
	}
	return f.ReadAt(b, off)
}

// FileWriteAt stands in for (*os.File).WriteAt.
func (c Call) FileWriteAt(f *os.File, b []byte, off int64) (int, error) {
	if h := active(); h != nil {
		return run1(c, h, opFileWriteAt, func() (int, error) { return f.WriteAt(b, off) })
	}
	return f.WriteAt(b, off)
}

// FileSync stands in for (*os.File).Sync.
func (c Call) FileSync(f *os.File) error {
	if h := active(); h != nil {
		return run(c, h, opFileSync, f.Sync)
	}
	return f.Sync()
}
