print("lading")
