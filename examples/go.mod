module godfly.example

go 1.24
