module gopatch.dev/gopatch/runtime

go 1.18
