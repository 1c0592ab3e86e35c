//! Pure translations between DragonFly and Linux numbers and layouts. No
//! host calls here: every function is a table or arithmetic, unit-tested.
#![forbid(unsafe_code)]

pub mod cmsg;
pub mod dirent;
pub mod errno;
pub mod fcntl;
pub mod mmap;
pub mod oflags;
pub mod poll;
pub mod resource;
pub mod route;
pub mod signo;
pub mod sockaddr;
pub mod sockopt;
pub mod stat;
pub mod statfs;
pub mod time;
pub mod wait;
