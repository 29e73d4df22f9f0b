orr v8.16b, v0.16b, v16.16b
orr v9.16b, v1.16b, v17.16b
orr v10.16b, v2.16b, v18.16b
orr v11.16b, v3.16b, v19.16b
orr v12.16b, v4.16b, v20.16b
orr v13.16b, v5.16b, v21.16b
orr v14.16b, v6.16b, v22.16b
orr v15.16b, v7.16b, v23.16b
