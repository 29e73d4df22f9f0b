sub w1, w11, #1
subs w0, w0, #1
ldp x2, x3, [x9]
ldp x4, x5, [x9, #16]
add x9, x9, #32
eor v0.16b, v16.16b, v20.16b
eor v1.16b, v17.16b, v20.16b
eor v2.16b, v18.16b, v20.16b
eor v3.16b, v19.16b, v20.16b
eor v4.16b, v16.16b, v21.16b
eor v5.16b, v17.16b, v21.16b
eor v6.16b, v18.16b, v21.16b
eor v7.16b, v19.16b, v21.16b
eor v8.16b, v16.16b, v22.16b
eor v9.16b, v17.16b, v22.16b
eor v10.16b, v18.16b, v22.16b
eor v11.16b, v19.16b, v22.16b
eor v12.16b, v16.16b, v23.16b
eor v13.16b, v17.16b, v23.16b
eor v14.16b, v18.16b, v23.16b
eor v15.16b, v19.16b, v23.16b
cnt v0.16b, v0.16b
cnt v1.16b, v1.16b
ld1r {v16.2d}, [x2], #8
cnt v2.16b, v2.16b
cnt v3.16b, v3.16b
ld1r {v17.2d}, [x3], #8
cnt v4.16b, v4.16b
cnt v5.16b, v5.16b
ld1r {v18.2d}, [x4], #8
cnt v6.16b, v6.16b
cnt v7.16b, v7.16b
ld1r {v19.2d}, [x5], #8
cnt v8.16b, v8.16b
cnt v9.16b, v9.16b
ldr q20, [x6]
cnt v10.16b, v10.16b
cnt v11.16b, v11.16b
ldr q21, [x6, #16]
cnt v12.16b, v12.16b
cnt v13.16b, v13.16b
ldr q22, [x6, #32]
cnt v14.16b, v14.16b
cnt v15.16b, v15.16b
ldr q23, [x6, #48]
addp v0.16b, v0.16b, v4.16b
addp v1.16b, v1.16b, v5.16b
addp v2.16b, v2.16b, v6.16b
addp v3.16b, v3.16b, v7.16b
addp v8.16b, v8.16b, v12.16b
addp v9.16b, v9.16b, v13.16b
addp v10.16b, v10.16b, v14.16b
addp v11.16b, v11.16b, v15.16b
addp v0.16b, v0.16b, v8.16b
addp v1.16b, v1.16b, v9.16b
addp v2.16b, v2.16b, v10.16b
addp v3.16b, v3.16b, v11.16b
add x6, x6, #64
uadalp v24.8h, v0.16b
uadalp v25.8h, v1.16b
uadalp v26.8h, v2.16b
uadalp v27.8h, v3.16b
subs w1, w1, #1
eor v0.16b, v16.16b, v20.16b
eor v1.16b, v17.16b, v20.16b
eor v2.16b, v18.16b, v20.16b
eor v3.16b, v19.16b, v20.16b
eor v4.16b, v16.16b, v21.16b
eor v5.16b, v17.16b, v21.16b
eor v6.16b, v18.16b, v21.16b
eor v7.16b, v19.16b, v21.16b
eor v8.16b, v16.16b, v22.16b
eor v9.16b, v17.16b, v22.16b
eor v10.16b, v18.16b, v22.16b
eor v11.16b, v19.16b, v22.16b
eor v12.16b, v16.16b, v23.16b
eor v13.16b, v17.16b, v23.16b
eor v14.16b, v18.16b, v23.16b
eor v15.16b, v19.16b, v23.16b
cnt v0.16b, v0.16b
cnt v1.16b, v1.16b
ld1r {v16.2d}, [x2], #8
cnt v2.16b, v2.16b
cnt v3.16b, v3.16b
ld1r {v17.2d}, [x3], #8
cnt v4.16b, v4.16b
cnt v5.16b, v5.16b
ld1r {v18.2d}, [x4], #8
cnt v6.16b, v6.16b
cnt v7.16b, v7.16b
ld1r {v19.2d}, [x5], #8
cnt v8.16b, v8.16b
cnt v9.16b, v9.16b
ldr q20, [x6]
cnt v10.16b, v10.16b
cnt v11.16b, v11.16b
ldr q21, [x6, #16]
cnt v12.16b, v12.16b
cnt v13.16b, v13.16b
ldr q22, [x6, #32]
cnt v14.16b, v14.16b
cnt v15.16b, v15.16b
ldr q23, [x6, #48]
addp v0.16b, v0.16b, v4.16b
addp v1.16b, v1.16b, v5.16b
addp v2.16b, v2.16b, v6.16b
addp v3.16b, v3.16b, v7.16b
addp v8.16b, v8.16b, v12.16b
addp v9.16b, v9.16b, v13.16b
addp v10.16b, v10.16b, v14.16b
addp v11.16b, v11.16b, v15.16b
addp v0.16b, v0.16b, v8.16b
addp v1.16b, v1.16b, v9.16b
addp v2.16b, v2.16b, v10.16b
addp v3.16b, v3.16b, v11.16b
add x6, x6, #64
uadalp v24.8h, v0.16b
uadalp v25.8h, v1.16b
uadalp v26.8h, v2.16b
uadalp v27.8h, v3.16b
subs w1, w1, #1
