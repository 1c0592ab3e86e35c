module godfly.test/programs

go 1.24
