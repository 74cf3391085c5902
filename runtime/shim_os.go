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
	return fwd12(c, name, os.ReadFile, Call.hubReadFile)
}

// hubReadFile is ReadFile while a hub is in force.
func (c Call) hubReadFile(name string) ([]byte, error) {
	h := active()
	if h == nil {
		return os.ReadFile(name)
	}
	return run1(c, h, opReadFile, func() ([]byte, error) { return os.ReadFile(name) })
}

// WriteFile stands in for os.WriteFile.
func (c Call) WriteFile(name string, data []byte, perm os.FileMode) error {
	return fwd31(c, name, data, perm, os.WriteFile, Call.hubWriteFile)
}

// hubWriteFile is WriteFile while a hub is in force.
func (c Call) hubWriteFile(name string, data []byte, perm os.FileMode) error {
	h := active()
	if h == nil {
		return os.WriteFile(name, data, perm)
	}
	return run(c, h, opWriteFile, func() error { return os.WriteFile(name, data, perm) })
}

// Open stands in for os.Open.
func (c Call) Open(name string) (*os.File, error) {
	return fwd12(c, name, os.Open, Call.hubOpen)
}

// hubOpen is Open while a hub is in force.
func (c Call) hubOpen(name string) (*os.File, error) {
	h := active()
	if h == nil {
		return os.Open(name)
	}
	return run1(c, h, opOpen, func() (*os.File, error) { return os.Open(name) })
}

// Create stands in for os.Create.
func (c Call) Create(name string) (*os.File, error) {
	return fwd12(c, name, os.Create, Call.hubCreate)
}

// hubCreate is Create while a hub is in force.
func (c Call) hubCreate(name string) (*os.File, error) {
	h := active()
	if h == nil {
		return os.Create(name)
	}
	return run1(c, h, opCreate, func() (*os.File, error) { return os.Create(name) })
}

// OpenFile stands in for os.OpenFile.
func (c Call) OpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	return fwd32(c, name, flag, perm, os.OpenFile, Call.hubOpenFile)
}

// hubOpenFile is OpenFile while a hub is in force.
func (c Call) hubOpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	h := active()
	if h == nil {
		return os.OpenFile(name, flag, perm)
	}
	return run1(c, h, opOpenFile, func() (*os.File, error) { return os.OpenFile(name, flag, perm) })
}

// ReadDir stands in for os.ReadDir.
func (c Call) ReadDir(name string) ([]os.DirEntry, error) {
	return fwd12(c, name, os.ReadDir, Call.hubReadDir)
}

// hubReadDir is ReadDir while a hub is in force.
func (c Call) hubReadDir(name string) ([]os.DirEntry, error) {
	h := active()
	if h == nil {
		return os.ReadDir(name)
	}
	return run1(c, h, opReadDir, func() ([]os.DirEntry, error) { return os.ReadDir(name) })
}

// FileRead stands in for (*os.File).Read.
func (c Call) FileRead(f *os.File, b []byte) (int, error) {
	return fwd22(c, f, b, (*os.File).Read, Call.hubFileRead)
}

// hubFileRead is FileRead while a hub is in force.
func (c Call) hubFileRead(f *os.File, b []byte) (int, error) {
	h := active()
	if h == nil {
		return f.Read(b)
	}
	return run1(c, h, opFileRead, func() (int, error) { return f.Read(b) })
}

// FileWrite stands in for (*os.File).Write.
func (c Call) FileWrite(f *os.File, b []byte) (int, error) {
	return fwd22(c, f, b, (*os.File).Write, Call.hubFileWrite)
}

// hubFileWrite is FileWrite while a hub is in force.
func (c Call) hubFileWrite(f *os.File, b []byte) (int, error) {
	h := active()
	if h == nil {
		return f.Write(b)
	}
	return run1(c, h, opFileWrite, func() (int, error) { return f.Write(b) })
}

// FileWriteString stands in for (*os.File).WriteString.
func (c Call) FileWriteString(f *os.File, s string) (int, error) {
	return fwd22(c, f, s, (*os.File).WriteString, Call.hubFileWriteString)
}

// hubFileWriteString is FileWriteString while a hub is in force.
func (c Call) hubFileWriteString(f *os.File, s string) (int, error) {
	h := active()
	if h == nil {
		return f.WriteString(s)
	}
	return run1(c, h, opFileWriteString, func() (int, error) { return f.WriteString(s) })
}

// FileReadAt stands in for (*os.File).ReadAt.
func (c Call) FileReadAt(f *os.File, b []byte, off int64) (int, error) {
	return fwd32(c, f, b, off, (*os.File).ReadAt, Call.hubFileReadAt)
}

// hubFileReadAt is FileReadAt while a hub is in force.
func (c Call) hubFileReadAt(f *os.File, b []byte, off int64) (int, error) {
	h := active()
	if h == nil {
		return f.ReadAt(b, off)
	}
	return run1(c, h, opFileReadAt, func() (int, error) { return f.ReadAt(b, off) })
}

// FileWriteAt stands in for (*os.File).WriteAt.
func (c Call) FileWriteAt(f *os.File, b []byte, off int64) (int, error) {
	return fwd32(c, f, b, off, (*os.File).WriteAt, Call.hubFileWriteAt)
}

// hubFileWriteAt is FileWriteAt while a hub is in force.
func (c Call) hubFileWriteAt(f *os.File, b []byte, off int64) (int, error) {
	h := active()
	if h == nil {
		return f.WriteAt(b, off)
	}
	return run1(c, h, opFileWriteAt, func() (int, error) { return f.WriteAt(b, off) })
}

// FileSync stands in for (*os.File).Sync.
func (c Call) FileSync(f *os.File) error {
	return fwd11(c, f, (*os.File).Sync, Call.hubFileSync)
}

// hubFileSync is FileSync while a hub is in force.
func (c Call) hubFileSync(f *os.File) error {
	h := active()
	if h == nil {
		return f.Sync()
	}
	return run(c, h, opFileSync, f.Sync)
}
