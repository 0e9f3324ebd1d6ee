using KubeMesh.Store;

return EmbeddedStore.Run(args);
