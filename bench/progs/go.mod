module godfly.bench

go 1.24
