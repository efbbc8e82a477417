module lab.standin/ryuk

go 1.23
