//! The sandbox Portal on its own thread and runtime.

use portal_sandbox::{Sandbox, SandboxBuilder};

use crate::canned::{block_on_server, server_runtime};

pub struct Running {
    pub sandbox: Sandbox,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Running {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which is not allowed on the client's runtime.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

pub fn start(builder: SandboxBuilder) -> Running {
    let runtime = server_runtime("sandbox");
    let sandbox = block_on_server(&runtime, builder.start()).expect("the sandbox starts");
    Running { sandbox, runtime: Some(runtime) }
}
