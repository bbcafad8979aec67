// placeholder until replay lands
