smlal v8.8h, v0.8b, v16.8b
smlal v9.8h, v1.8b, v17.8b
smlal v10.8h, v2.8b, v18.8b
smlal v11.8h, v3.8b, v19.8b
smlal v12.8h, v4.8b, v20.8b
smlal v13.8h, v5.8b, v21.8b
smlal v14.8h, v6.8b, v22.8b
smlal v15.8h, v7.8b, v23.8b
