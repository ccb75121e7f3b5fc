//! Embedding lunajit: create a state, register a Rust function, run a chunk,
//! read and write globals, call a Lua function from Rust, handle errors.

use lunajit::{Error, Lua, Value};

fn main() -> Result<(), Error> {
    let mut lua = Lua::new();

    // A Rust function callable from Lua: sums its numeric arguments.
    lua.register(
        "rust_sum",
        Box::new(|_lua, args| {
            let mut total = 0.0;
            for a in args {
                match a {
                    Value::Integer(i) => total += i as f64,
                    Value::Float(f) => total += f,
                    other => return Err(format!("rust_sum: number expected, got {other:?}")),
                }
            }
            Ok(vec![Value::Float(total)])
        }),
    );

    lua.set_global("greeting", Value::from("hello from Rust"));
    lua.exec(
        r#"
        function greet(name) return greeting .. ", " .. name end
        result = rust_sum(1, 2, 3.5)
    "#,
    )?;
    println!("result = {:?}", lua.get_global("result"));

    // Call a Lua function from Rust.
    let greet = lua.get_global("greet");
    let out = lua.call(&greet, &[Value::from("Lua")])?;
    if let Some(Value::String(s)) = out.first() {
        println!("{}", String::from_utf8_lossy(s));
    }

    // Errors come back as `Error` values with a traceback.
    match lua.exec("local t = nil; return t.x") {
        Err(e) => println!("error: {}", e.message()),
        Ok(_) => println!("unexpected success"),
    }
    Ok(())
}
