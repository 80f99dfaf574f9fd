// Editor-only declarations. The build defines these with `asc --use`, once per dtype:
// Real = f64, LANES = 2 for the float64 module; Real = f32, LANES = 4 for the float32 module.
declare type Real = f64;
declare const LANES: i32;
