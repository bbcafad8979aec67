print("swarmsafe")
